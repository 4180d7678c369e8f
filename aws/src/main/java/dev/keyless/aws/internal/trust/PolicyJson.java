package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.TrustCondition;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.aws.trust.TrustPrincipals;
import dev.keyless.aws.trust.TrustStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes the model back as a policy document in a stable key order. */
public final class PolicyJson {
    private PolicyJson() {
    }

    public static String write(TrustPolicy policy) {
        Map<String, Object> doc = new LinkedHashMap<>();
        policy.version().ifPresent(v -> doc.put("Version", v));
        policy.id().ifPresent(v -> doc.put("Id", v));
        List<Object> statements = new ArrayList<>();
        for (TrustStatement s : policy.statements()) {
            statements.add(statement(s));
        }
        doc.put("Statement", statements);
        return JsonText.pretty(doc);
    }

    public static Map<String, Object> statement(TrustStatement s) {
        Map<String, Object> m = new LinkedHashMap<>();
        s.sid().ifPresent(v -> m.put("Sid", v));
        m.put("Effect", s.effect().policyName());
        m.put("Principal", principal(s.principals()));
        m.put("Action", oneOrMany(s.actions()));
        if (!s.conditions().isEmpty()) {
            Map<String, Map<String, Object>> block = new LinkedHashMap<>();
            for (TrustCondition c : s.conditions()) {
                block.computeIfAbsent(c.operator().policyName(), k -> new LinkedHashMap<>())
                        .put(c.key(), oneOrMany(c.values()));
            }
            m.put("Condition", block);
        }
        return m;
    }

    private static Object principal(TrustPrincipals p) {
        if (p.wildcard() && p.federated().isEmpty() && p.aws().isEmpty() && p.service().isEmpty()) {
            return "*";
        }
        Map<String, Object> m = new LinkedHashMap<>();
        if (!p.federated().isEmpty()) {
            m.put("Federated", oneOrMany(p.federated()));
        }
        if (!p.aws().isEmpty()) {
            m.put("AWS", oneOrMany(p.aws()));
        }
        if (!p.service().isEmpty()) {
            m.put("Service", oneOrMany(p.service()));
        }
        return m;
    }

    public static Object oneOrMany(List<String> values) {
        return values.size() == 1 ? values.get(0) : values;
    }
}
