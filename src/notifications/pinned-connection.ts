import { type LookupFunction, isIP } from 'node:net';
import { Agent } from 'undici';

/**
 * A DNS lookup that answers every query with the addresses already checked, whatever the name: the
 * connection goes where the check looked, so a DNS answer that changes after the check (rebinding)
 * cannot reach another address.
 */
export function pinnedLookup(addresses: string[]): LookupFunction {
  if (!addresses.length) throw new Error('pinnedLookup needs at least one checked address');
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    if (options.all) callback(null, entries);
    else callback(null, entries[0].address, entries[0].family);
  };
}

/**
 * An undici Agent whose connections use only `addresses`. The URL keeps its host name, so the Host
 * header and, for https, the TLS server name (SNI) and certificate check are those of the name, as
 * without pinning. One per delivery attempt; close it afterwards.
 */
export function pinnedAgent(addresses: string[]): Agent {
  return new Agent({ connect: { lookup: pinnedLookup(addresses) }, pipelining: 0 });
}
