export declare function buildWorker(entry: string, outdir: string): Promise<string>;
export declare function bundleDir(outfile: string): string;
