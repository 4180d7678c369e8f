package dev.keyless.testkit.google;

/**
 * One request the emulated Google STS received, as parsed, without the subject token's value.
 *
 * @param contentType         the request's Content-Type ({@code application/x-www-form-urlencoded} or JSON)
 * @param grantType           {@code grant_type}
 * @param audience            {@code audience}
 * @param scope               {@code scope} (space separated)
 * @param requestedTokenType  {@code requested_token_type}
 * @param subjectTokenType    {@code subject_token_type}
 * @param options             {@code options} (JSON text, e.g. {@code {"userProject":"..."}}), or null
 * @param subjectTokenLength  the length of {@code subject_token}: the value itself is never kept
 */
public record RecordedStsRequest(String contentType, String grantType, String audience, String scope,
        String requestedTokenType, String subjectTokenType, String options, int subjectTokenLength) {
}
