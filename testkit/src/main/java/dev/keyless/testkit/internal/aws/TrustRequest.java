package dev.keyless.testkit.internal.aws;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What a trust policy is evaluated against: the action, the principal and the condition context keys. */
public final class TrustRequest {
    private final String action;
    private final String principalType;
    private final List<String> principalValues;
    private final Map<String, List<String>> context = new TreeMap<>();

    /**
     * @param principalType {@code Federated} or {@code AWS}
     * @param principalValues the values a Principal entry may name to match (provider ARN; role ARN, account...)
     */
    public TrustRequest(String action, String principalType, List<String> principalValues) {
        this.action = action;
        this.principalType = principalType;
        this.principalValues = List.copyOf(principalValues);
    }

    /** Adds a context key; names are case-insensitive, as in IAM. */
    public TrustRequest put(String key, List<String> values) {
        context.put(key.toLowerCase(Locale.ROOT), List.copyOf(values));
        return this;
    }

    public String action() {
        return action;
    }

    public String principalType() {
        return principalType;
    }

    public List<String> principalValues() {
        return principalValues;
    }

    /** The values of a context key, or null when the request has no such key. */
    public List<String> contextValues(String key) {
        return context.get(key.toLowerCase(Locale.ROOT));
    }

    /** The context keys and values, for diagnostics. */
    public Map<String, List<String>> context() {
        return Map.copyOf(context);
    }
}
