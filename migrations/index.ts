// Every migration, in order. Listed explicitly (no glob) so the app, the CLI and the tests load
// exactly the same set whether they run from TypeScript sources or the build.
import { CreateFoundation1795300000000 } from './1795300000000-CreateFoundation.js';
import { CreateCooldownsAndOutbox1795310000000 } from './1795310000000-CreateCooldownsAndOutbox.js';
import { CreateWebhooks1795320000000 } from './1795320000000-CreateWebhooks.js';
import { IndexCooldownsForDashboard1795330000000 } from './1795330000000-IndexCooldownsForDashboard.js';
import { CreateInvitations1796626520865 } from './1796626520865-CreateInvitations.js';
import { CreateActionJournal1796626521760 } from './1796626521760-CreateActionJournal.js';
import { AddApiKeyNamesAndLastUse1796626695871 } from './1796626695871-AddApiKeyNamesAndLastUse.js';
import { AddIdentityFieldsToEvents1796627130423 } from './1796627130423-AddIdentityFieldsToEvents.js';

export const MIGRATIONS = [
  CreateFoundation1795300000000,
  CreateCooldownsAndOutbox1795310000000,
  CreateWebhooks1795320000000,
  IndexCooldownsForDashboard1795330000000,
  CreateInvitations1796626520865,
  CreateActionJournal1796626521760,
  AddApiKeyNamesAndLastUse1796626695871,
  AddIdentityFieldsToEvents1796627130423,
];
