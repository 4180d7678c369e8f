package dev.keyless.testkit.internal.aws;

/** An STS error answer: code, message and HTTP status, as the real service sends them. */
public final class StsError extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int status;

    public StsError(String code, String message, int status) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    public static StsError validation(String message) {
        return new StsError("ValidationError", message, 400);
    }

    public static StsError invalidIdentityToken(String message) {
        return new StsError("InvalidIdentityToken", message, 400);
    }

    public static StsError accessDenied(String message) {
        return new StsError("AccessDenied", message, 403);
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** Sender for client errors, Receiver for server errors, as in STS's ErrorResponse. */
    public String type() {
        return status >= 500 ? "Receiver" : "Sender";
    }
}
