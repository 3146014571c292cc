/** The app's Content-Security-Policy directives, name to sources. */
export declare const CSP_DIRECTIVES: Record<string, string[]>;
/** The policy as a header value. */
export declare const CSP: string;
