// `await using` needs Symbol.asyncDispose, which Node has since 20.4 / 18.18. On an older Node 20
// define it as Node itself does (Symbol.for('nodejs.asyncDispose')), once, before HeldLease is
// declared. This is the only global cutover touches.
const symbols = Symbol as unknown as { asyncDispose?: symbol; dispose?: symbol };
symbols.asyncDispose ??= Symbol.for('nodejs.asyncDispose');
symbols.dispose ??= Symbol.for('nodejs.dispose');

export {};
