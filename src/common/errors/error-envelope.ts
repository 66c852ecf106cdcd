import { HTTP_STATUS_TEXT } from './error-labels.js';

export interface ErrorEnvelope {
  error: {
    code: number;
    status: string;
    error_label: string | null;
    message: string;
    details?: unknown;
    error_id?: string;
  };
}

export function errorEnvelope(code: number, errorLabel: string | null, message: string, details?: unknown, errorId?: string): ErrorEnvelope {
  const error: ErrorEnvelope['error'] = {
    code,
    status: HTTP_STATUS_TEXT[code] ?? (code >= 500 ? 'Server Error' : 'Error'),
    error_label: errorLabel,
    message,
  };
  if (details !== undefined) error.details = details;
  if (errorId) error.error_id = errorId;
  return { error };
}
