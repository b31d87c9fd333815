// Boolean query parameters as the real API server decodes them into its option structs
// (apimachinery runtime.Convert_Slice_string_To_bool, used by the parameter codec for
// ListOptions, PodLogOptions, PodExecOptions, PatchOptions…): absent, "0" or any casing of
// "false" is false; every other value, the empty string included (`?watch`), is true. The real
// server never answers 400 for such a value, so neither do we.
export function queryBool(query: URLSearchParams, name: string): boolean {
  const values = query.getAll(name);
  if (values.length === 0) return false;
  const first = values[0]!;
  return !(first === '0' || first.toLowerCase() === 'false');
}
