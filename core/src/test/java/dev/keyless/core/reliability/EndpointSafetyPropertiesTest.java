package dev.keyless.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.internal.Endpoints;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Endpoints#requireSafe(String, String)} as a property: plain http passes exactly for loopback hosts (any
 * 127/8 address, ::1, localhost and *.localhost) and never for a DNS name that merely looks local; https passes
 * for every well-formed host.
 */
class EndpointSafetyPropertiesTest {

    @Property(tries = 300)
    void plainHttpIsAllowedExactlyForLoopbackHosts(@ForAll("hosts") String host) {
        String url = "http://" + host + "/token";
        boolean loopback = Endpoints.isLoopback(host.startsWith("[") ? host : host.replaceAll(":\\d+$", ""));
        Throwable thrown = catchThrowable(() -> Endpoints.requireSafe(url, "tokenEndpoint"));
        if (loopback) {
            assertThat(thrown).isNull();
        } else {
            assertThat(thrown).isInstanceOf(ConfigurationException.class);
        }
        // https is always fine for a well-formed host.
        assertThat(catchThrowable(() -> Endpoints.requireSafe("https://" + host + "/token", "tokenEndpoint"))).isNull();
    }

    @Property(tries = 200)
    void dnsNamesAreNeverTreatedAsLoopbackButLocalhostItself(@ForAll("dnsNames") String name) {
        assertThat(Endpoints.isLoopback(name)).isEqualTo(name.equals("localhost") || name.endsWith(".localhost"));
    }

    @Provide
    Arbitrary<String> hosts() {
        Arbitrary<String> loopbackV4 = Combinators.combine(Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255))
                .as((a, b, c) -> "127." + a + "." + b + "." + c);
        Arbitrary<String> otherV4 = Combinators.combine(Arbitraries.integers().between(1, 223).filter(a -> a != 127),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255))
                .as((a, b, c) -> a + "." + b + "." + c + ".1");
        return Arbitraries.oneOf(loopbackV4, otherV4, dnsNames(), Arbitraries.of("[::1]", "[::2]", "[fe80::1]", "localhost"));
    }

    @Provide
    Arbitrary<String> dnsNames() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-').ofMinLength(1)
                .ofMaxLength(12).filter(l -> !l.startsWith("-") && !l.endsWith("-"));
        Arbitrary<String> names = label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l))
                // A top label must start with a letter (RFC 1123, and java.net.URI's reading of a host name).
                .filter(n -> Character.isLetter(n.charAt(n.lastIndexOf('.') + 1)));
        return Arbitraries.oneOf(names, names.map(n -> n + ".localhost"), names.map(n -> "localhost." + n),
                names.map(n -> "127.0.0.1." + n), Arbitraries.just("localhost"));
    }
}
