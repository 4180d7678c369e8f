/** Keyless core: token sources, identity tokens, ambient detection, the refresh engine and diagnoses. */
module dev.keyless.core {
    requires transitive java.net.http;
    requires com.nimbusds.jose.jwt;
    requires org.slf4j;

    exports dev.keyless.core;
    exports dev.keyless.core.source;
    exports dev.keyless.core.refresh;
    exports dev.keyless.core.internal to
            dev.keyless.aws, dev.keyless.gcp, dev.keyless.azure, dev.keyless.testkit, dev.keyless.cli;
}
