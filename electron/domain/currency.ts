/**
 * ISO 4217 numeric code (the terminal's CU field) → alphabetic code and minor-unit exponent.
 * The exponent is what the terminal's AM field is scaled by, so it is taken from ISO 4217 and
 * never from Intl (CLDR "cash digits" differ for e.g. TWD, IDR).
 */
export interface CurrencyInfo {
  alpha: string;
  /** Number of minor-unit digits: 2 for CNY (fen), 0 for JPY, 3 for KWD. */
  digits: number;
}

const TABLE: Record<string, CurrencyInfo> = {
  '156': { alpha: 'CNY', digits: 2 },
  '344': { alpha: 'HKD', digits: 2 },
  '446': { alpha: 'MOP', digits: 2 },
  '901': { alpha: 'TWD', digits: 2 },
  '840': { alpha: 'USD', digits: 2 },
  '978': { alpha: 'EUR', digits: 2 },
  '826': { alpha: 'GBP', digits: 2 },
  '392': { alpha: 'JPY', digits: 0 },
  '410': { alpha: 'KRW', digits: 0 },
  '702': { alpha: 'SGD', digits: 2 },
  '458': { alpha: 'MYR', digits: 2 },
  '764': { alpha: 'THB', digits: 2 },
  '036': { alpha: 'AUD', digits: 2 },
  '554': { alpha: 'NZD', digits: 2 },
  '124': { alpha: 'CAD', digits: 2 },
  '756': { alpha: 'CHF', digits: 2 },
  '360': { alpha: 'IDR', digits: 2 },
  '608': { alpha: 'PHP', digits: 2 },
  '704': { alpha: 'VND', digits: 0 },
  '356': { alpha: 'INR', digits: 2 },
  '096': { alpha: 'BND', digits: 2 },
  '116': { alpha: 'KHR', digits: 2 },
  '418': { alpha: 'LAK', digits: 2 },
  '104': { alpha: 'MMK', digits: 2 },
  '496': { alpha: 'MNT', digits: 2 },
  '784': { alpha: 'AED', digits: 2 },
  '682': { alpha: 'SAR', digits: 2 },
  '643': { alpha: 'RUB', digits: 2 },
  '752': { alpha: 'SEK', digits: 2 },
  '578': { alpha: 'NOK', digits: 2 },
  '208': { alpha: 'DKK', digits: 2 },
  '048': { alpha: 'BHD', digits: 3 },
  '414': { alpha: 'KWD', digits: 3 },
  '512': { alpha: 'OMR', digits: 3 },
  '400': { alpha: 'JOD', digits: 3 },
};

/**
 * The simulator's currency. `sim.charge` takes no currency and AppStatus does not say which one
 * the simulator uses; the simulated terminal is a mainland-China terminal (CU 156).
 */
export const SIMULATOR_CURRENCY = '156';

/** Digits assumed for a code we do not know (shown as a plain number with the numeric code). */
export const UNKNOWN_CURRENCY_DIGITS = 2;

export function currencyInfo(numericCode: string | null | undefined): CurrencyInfo | undefined {
  return numericCode == null ? undefined : TABLE[numericCode];
}

/** The ISO 4217 numeric codes this app knows, with their alphabetic code (e.g. for a chooser). */
export function knownCurrencies(): { numeric: string; alpha: string }[] {
  return Object.entries(TABLE).map(([numeric, info]) => ({ numeric, alpha: info.alpha }));
}

export function currencyDigits(numericCode: string | null | undefined): number {
  return currencyInfo(numericCode)?.digits ?? UNKNOWN_CURRENCY_DIGITS;
}
