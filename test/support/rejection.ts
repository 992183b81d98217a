/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejection(p: unknown): Promise<Error> {
    try {
        await p;
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the promise to reject");
}
