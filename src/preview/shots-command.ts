export async function runShots(_f: string[], _o: {out:string}): Promise<void> {}
