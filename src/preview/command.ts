export async function runPreview(_f: string|undefined, _o: {port:string}): Promise<void> {}
