package dev.keyless.azure.internal;

import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The client assertion of ONE exchange: mints a fresh token from the source on first use and returns that same token
 * for the rest of the exchange.
 *
 * <p>azure-identity asks its supplier twice per exchange (once to build its MSAL application, once for the request);
 * both calls happen within milliseconds, so one mint serves both. A new instance is made for every exchange, so an
 * assertion is never reused across exchanges (the cause of AADSTS700024 in long jobs). A failed mint is remembered for
 * the rest of the exchange too, so a failing source is not called twice. {@link #toString()} never shows the value.
 */
public final class OneExchangeAssertion implements Supplier<String> {
    private final TokenSource source;
    private final TokenRequest request;
    private IdentityToken minted;
    private RuntimeException failure;

    public OneExchangeAssertion(TokenSource source, TokenRequest request) {
        this.source = Objects.requireNonNull(source, "source");
        this.request = Objects.requireNonNull(request, "request");
    }

    @Override
    public synchronized String get() {
        if (minted != null) {
            return minted.value();
        }
        if (failure != null) {
            throw failure;
        }
        try {
            minted = Objects.requireNonNull(source.token(request), "the token source returned null");
            return minted.value();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** The token presented in this exchange, if one was minted: its claims explain a rejection. */
    public synchronized Optional<IdentityToken> presented() {
        return Optional.ofNullable(minted);
    }

    @Override
    public synchronized String toString() {
        return "OneExchangeAssertion{source=" + source.name() + ", minted=" + minted + "}";
    }
}
