package dev.keyless.testkit.azure.internal;

/** Ends the handling of a token request with an Entra error: control flow inside the emulator only. */
public final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient EntraError error;

    public Rejection(EntraError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public EntraError error() {
        return error;
    }
}
