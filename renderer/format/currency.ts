/** The currency table lives with the domain (receipts and the core use it too). */
export * from '../../electron/domain/currency.js';
