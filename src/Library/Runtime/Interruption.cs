namespace ArchNotebooks.Library.Runtime;

/// <summary>
/// The interrupt of whatever is running this code, for long library calls (training, studies,
/// evaluation, sanity checks) called without a token. A host (the notebook kernel) installs a provider
/// that answers for the calling flow: the kernel's reads the running cell of the flow's own session, so
/// two sessions in one process each see their own interrupt. Without a host it is never cancelled.
/// The Library stays unaware of kernels: it only asks "has whoever runs me asked me to stop?".
/// </summary>
public static class Interruption
{
    static volatile Func<CancellationToken>? provider;

    /// <summary>Host side: installs the provider (the last one installed wins; the kernel installs the same one every session).</summary>
    public static void UseAmbient(Func<CancellationToken> ambient) => provider = ambient ?? throw new ArgumentNullException(nameof(ambient));

    /// <summary>The host's token for the calling flow (CancellationToken.None outside any host).</summary>
    public static CancellationToken Ambient => provider?.Invoke() ?? CancellationToken.None;

    /// <summary>
    /// A token cancelled when <paramref name="token"/> or the ambient interrupt is: what a long call should
    /// watch. Call it once at the start of the call (a cell's token is fixed for the cell).
    /// </summary>
    public static CancellationToken With(CancellationToken token)
    {
        var ambient = Ambient;
        if (!ambient.CanBeCanceled || ambient == token) return token;
        if (!token.CanBeCanceled) return ambient;
        // Both can fire. The linked source lives as long as the two tokens; a cell's source is disposed when
        // the next cell begins, which unregisters it, so nothing accumulates across cells.
        return CancellationTokenSource.CreateLinkedTokenSource(token, ambient).Token;
    }
}
