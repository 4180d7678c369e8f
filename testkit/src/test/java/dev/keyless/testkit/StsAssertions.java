package dev.keyless.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import software.amazon.awssdk.services.sts.model.StsException;

final class StsAssertions {
    private StsAssertions() {
    }

    /** Runs a call that must fail with an STS error, and returns it. */
    static StsException stsError(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(StsException.class);
        return (StsException) t;
    }

    /** Asserts the error code, HTTP status and (part of) the message. */
    static StsException assertStsError(ThrowingCallable call, String code, int status, String messagePart) {
        StsException e = stsError(call);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.awsErrorDetails().errorMessage()).contains(messagePart);
        assertThat(e.requestId()).isNotBlank();
        return e;
    }
}
