package dev.keyless.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributeConditionCheckTest {
    static final Map<String, Object> CLAIMS = Map.of("sub", "repo:acme/app:ref:refs/heads/dev", "repository", "acme/app",
            "repository_owner", "acme", "ref", "refs/heads/dev", "run_attempt", "1");

    @Test
    void namesTheFailingClauseOfAConjunction() {
        AttributeConditionCheck.Result r = AttributeConditionCheck.evaluate(
                "assertion.repository_owner == 'acme' && (assertion.ref == 'refs/heads/main' || assertion.ref.startsWith('refs/tags/'))",
                CLAIMS, Map.of());
        assertThat(r.celAvailable()).isTrue();
        assertThat(r.passed()).contains(false);
        assertThat(r.joiner()).isEqualTo("&&");
        assertThat(r.clauses()).hasSize(2);
        assertThat(r.failing()).extracting(AttributeConditionCheck.Clause::expression)
                .containsExactly("assertion.ref == 'refs/heads/main' || assertion.ref.startsWith('refs/tags/')");
    }

    @Test
    void usesTheMappingForAttributeAndGoogleVariables() {
        AttributeConditionCheck.Result r = AttributeConditionCheck.evaluate(
                "attribute.repo == 'acme/app' && google.subject.startsWith('repo:acme/')",
                CLAIMS, Map.of("google.subject", "assertion.sub", "attribute.repo", "assertion.repository"));
        assertThat(r.passed()).contains(true);
        assertThat(r.failing()).isEmpty();
    }

    @Test
    void anUnmappedAttributeIsAnErrorThatRejects() {
        AttributeConditionCheck.Result r = AttributeConditionCheck.evaluate("attribute.team == 'ops'", CLAIMS, Map.of());
        assertThat(r.failing()).hasSize(1);
        assertThat(r.failing().get(0).error()).isPresent();
        assertThat(r.failing().get(0).rejects()).isTrue();
    }

    @Test
    void disjunctionsReportEveryAlternative() {
        AttributeConditionCheck.Result r = AttributeConditionCheck.evaluate(
                "assertion.ref == 'refs/heads/main' || assertion.ref == 'refs/heads/release'", CLAIMS, Map.of());
        assertThat(r.joiner()).isEqualTo("||");
        assertThat(r.failing()).hasSize(2);
    }

    @Test
    void splitsOnlyAtTopLevelOutsideStrings() {
        assertThat(AttributeConditionCheck.split("a == 'x && y' && (b || c) && d", "&&"))
                .isEqualTo(List.of("a == 'x && y'", "b || c", "d"));
    }
}
