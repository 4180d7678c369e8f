package dev.keyless.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.StringLength;

/**
 * {@link IdentityToken#parse(String)} on anything: a token whose every accessor works, or a non-retryable
 * {@link TokenException} with the {@code token.not-a-jwt} diagnosis that never repeats the input; never another
 * exception. Inputs range from arbitrary strings to JWT-shaped values whose header and claims have every JSON type
 * in every registered claim (numbers too large for a date, arrays with nulls, objects where strings belong).
 */
class IdentityTokenPropertiesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-05-04T10:00:00Z"), ZoneOffset.UTC);

    @Property(tries = 500)
    void anyStringParsesOrFailsWithTheDocumentedException(@ForAll String value) {
        check(value);
    }

    @Property(tries = 300)
    void dotSeparatedNoiseParsesOrFailsWithTheDocumentedException(@ForAll("dotted") String value) {
        check(value);
    }

    @Property(tries = 800)
    void jwtShapedValuesWithAnyClaimsParseOrFailWithTheDocumentedException(@ForAll("jwtShaped") String value) {
        Statistics.collect(check(value) ? "parsed" : "rejected");
        // Both outcomes must be exercised, or the generator tests nothing.
        Statistics.coverage(c -> {
            c.check("parsed").percentage(p -> p > 5);
            c.check("rejected").percentage(p -> p > 5);
        });
    }

    @Property(tries = 200)
    void theErrorNeverRepeatsTheValue(@ForAll @StringLength(min = 24, max = 200) String value) {
        String secret = "zz" + value.replaceAll("\\s", "x") + "Q9";
        try {
            IdentityToken.parse(secret);
        } catch (TokenException e) {
            assertThat(e.getMessage()).doesNotContain(secret);
            assertThat(e.diagnosis().render()).doesNotContain(secret);
        }
    }

    /** Returns whether the value parsed. */
    private static boolean check(String value) {
        IdentityToken token;
        try {
            token = IdentityToken.parse(value);
        } catch (TokenException e) {
            assertThat(e.retryable()).isFalse();
            assertThat(e.diagnosis().code()).isEqualTo("token.not-a-jwt");
            assertThat(e.getCause()).as("the parser's message may quote the input: never attached").isNull();
            return false;
        }
        // Every accessor of a parsed token works, whatever the claims hold.
        assertThat(token.value()).isEqualTo(value.strip());
        assertThat(token.audience()).doesNotContainNull();
        token.issuer();
        token.subject();
        token.expiresAt();
        token.issuedAt();
        token.notBefore();
        token.algorithm();
        token.isExpired(CLOCK);
        token.remaining(CLOCK);
        token.stringClaim("sub");
        token.claim("aud");
        assertThat(token.claims()).isNotNull();
        assertThat(token.fingerprint()).hasSize(12);
        assertThat(token.toString()).doesNotContain(token.value());
        return true;
    }

    @Provide
    Arbitrary<String> dotted() {
        Arbitrary<String> part = Arbitraries.strings().withChars("ABCDEFabcdef0123456789-_=+/.eyJ ").ofMaxLength(40);
        return part.list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join(".", parts));
    }

    @Provide
    Arbitrary<String> jwtShaped() {
        Arbitrary<String> oddHeader = Arbitraries.oneOf(
                Arbitraries.of("{\"alg\":\"none\"}", "{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
                        "{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}", "{}", "[]", "null", "{\"alg\":42}",
                        "{\"alg\":null}", "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", "not json"),
                json(2));
        Arbitrary<String> header = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just("{\"alg\":\"RS256\",\"kid\":\"k\"}")), Tuple.of(2, oddHeader));
        Arbitrary<String> payload = Arbitraries.frequencyOf(Tuple.of(8, claims()), Tuple.of(1, json(3)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(30)));
        Arbitrary<String> signature = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("")),
                Tuple.of(8, Arbitraries.strings().alpha().numeric().withChars("-_").ofMinLength(1).ofMaxLength(60)));
        Arbitrary<Integer> extraParts = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 2)));
        return Combinators.combine(header, payload, signature, extraParts).as((h, p, s, extra) -> {
            String jwt = b64(h) + "." + b64(p) + "." + s;
            return jwt + ".x".repeat(extra);
        });
    }

    /** A claims object: registered claims mostly of the right type, sometimes of any other. */
    private static Arbitrary<String> claims() {
        Map<String, Arbitrary<String>> typed = Map.of(
                "iss", Arbitraries.of("\"https://token.actions.githubusercontent.com\"", "\"https://issuer.example\"", "\"\""),
                "sub", Arbitraries.strings().alpha().numeric().withChars(":/-").ofMaxLength(40).map(v -> "\"" + v + "\""),
                "aud", Arbitraries.of("\"sts.amazonaws.com\"", "[\"a\",\"b\"]", "[]", "[\"a\",null]", "[1,2]"),
                "exp", Arbitraries.oneOf(Arbitraries.longs().between(0, 4_102_444_800L).map(String::valueOf),
                        Arbitraries.of("1e308", "-1", "9223372036854775807", "1.5")),
                "iat", Arbitraries.longs().between(-100, 4_102_444_800L).map(String::valueOf),
                "nbf", Arbitraries.of("0", "1777888999", "\"later\""),
                "jti", Arbitraries.strings().alpha().ofMaxLength(10).map(v -> "\"" + v + "\""),
                "repository", Arbitraries.of("\"acme/app\"", "{\"nested\":true}", "null"));
        Arbitrary<String> anyValue = json(2);
        return Arbitraries.subsetOf(typed.keySet()).flatMap(chosen -> {
            List<Arbitrary<String>> members = new ArrayList<>();
            for (String name : chosen) {
                Arbitrary<String> value = Arbitraries.frequencyOf(Tuple.of(5, typed.get(name)), Tuple.of(1, anyValue));
                members.add(value.map(v -> "\"" + name + "\":" + v));
            }
            return members.isEmpty() ? Arbitraries.just("{}")
                    : Combinators.combine(members).as(list -> "{" + String.join(",", list) + "}");
        });
    }

    /** Any JSON value, nested up to {@code depth}, biased to the awkward ones. */
    private static Arbitrary<String> json(int depth) {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-1", "1e308", "-1e308", "9223372036854775807",
                        "99999999999999999999999", "1.5", "\"\"", "\"https://issuer.example\"", "\"2026-05-04\"",
                        "1777888999", "-62135596801", "4102444800000"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.strings().ofMaxLength(12).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"")
                        .replaceAll("\\p{Cntrl}", "") + "\""));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<String> arrays = json(depth - 1).list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> objects = Arbitraries.maps(Arbitraries.of("a", "iss", "aud", "exp", "x"), json(depth - 1))
                .ofMaxSize(3).map(IdentityTokenPropertiesTest::object);
        return Arbitraries.frequencyOf(
                Tuple.of(5, scalars), Tuple.of(2, arrays), Tuple.of(1, objects));
    }

    private static String object(Map<String, String> members) {
        List<String> out = new ArrayList<>();
        members.forEach((k, v) -> out.add("\"" + k + "\":" + v));
        return "{" + String.join(",", out) + "}";
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
