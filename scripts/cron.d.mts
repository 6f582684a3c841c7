export declare function cronMatches(cron: string, date: Date): boolean;
