export declare const MALLOC_TUNABLES: Readonly<Record<string, string>>;
export declare function withMallocTunables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
