// The JSON value type: what audit entries, provenance records and logs carry.
// An undefined member is allowed and dropped when written (canonical JSON, JSON.stringify).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
