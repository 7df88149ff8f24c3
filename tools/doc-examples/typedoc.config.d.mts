/** `[import specifier, source file]` of every public export of every package. */
export function packageEntryPoints(): Array<[string, string]>;
declare const config: Partial<import('typedoc').TypeDocOptions>;
export default config;
