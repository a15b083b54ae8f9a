/**
 * A customer's contact, shown masked wherever it is listed (and in the audit log, which can never
 * be erased): enough to recognise it, not enough to use it. Pure.
 *
 *   phone  13812345678        → 138****5678
 *   email  li.na@example.com  → l***@example.com
 *   name   王小明 / Li Na        → 王** / L***a
 *   other  wxid_abc123         → w********3
 */
export type ContactChannel = 'phone' | 'email' | 'wechat' | 'other';

function stars(n: number): string {
  return '*'.repeat(Math.max(1, n));
}

export function maskPhone(value: string): string {
  const digits = value.replace(/[^\d+]/g, '');
  const core = digits.replace(/^\+/, '');
  if (core.length >= 8) return `${digits.startsWith('+') ? '+' : ''}${core.slice(0, 3)}${stars(core.length - 7)}${core.slice(-4)}`;
  if (core.length >= 3) return `${stars(core.length - 2)}${core.slice(-2)}`;
  return stars(core.length || 3);
}

export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskText(value);
  const local = value.slice(0, at);
  return `${[...local][0]}***${value.slice(at)}`;
}

/** First character, the rest starred; the last one kept too when there are more than 4. */
export function maskText(value: string): string {
  const chars = [...value.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  if (chars.length <= 4) return chars[0] + stars(chars.length - 1);
  return chars[0] + stars(chars.length - 2) + chars[chars.length - 1];
}

export function maskContact(channel: ContactChannel, value: string): string {
  switch (channel) {
    case 'phone':
      return maskPhone(value);
    case 'email':
      return maskEmail(value);
    default:
      return maskText(value);
  }
}

/** "王** · 138****5678", or null when there is no contact. */
export function maskedContactLine(contact: { name: string | null; channel: ContactChannel; value: string } | null): string | null {
  if (!contact) return null;
  const value = maskContact(contact.channel, contact.value);
  return contact.name ? `${maskText(contact.name)} · ${value}` : value;
}
