package dev.keyless.testkit.google.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Google's attribute mappings and attribute conditions, run by the reference CEL implementation ({@code dev.cel}).
 *
 * <p>Expressions see three variables as Google declares them: {@code assertion} (the token's claims),
 * {@code google} ({@code subject}, {@code groups}) and {@code attribute} (custom attributes), all maps. Google's
 * {@code extract} string function ({@code assertion.sub.extract('repo:{repo}:')}) is provided. Programs are
 * compiled once per expression and cached. JSON numbers are handed to CEL as {@code int} (long) or {@code double}.
 */
public final class CelEngine {
    static {
        // CEL's jars split packages, so they live on the class path (the unnamed module). On the module path this
        // module must read it before CelPrograms, which uses CEL's types, is loaded.
        Module self = CelEngine.class.getModule();
        Module cel = CelEngine.class.getClassLoader().getUnnamedModule();
        if (self.isNamed() && !self.canRead(cel)) {
            self.addReads(cel);
        }
    }

    private static final AtomicBoolean WARMING = new AtomicBoolean();

    private CelEngine() {
    }

    /** Thrown when an expression does not compile or fails to evaluate; the message is CEL's. */
    public static final class CelException extends Exception {
        private static final long serialVersionUID = 1L;

        CelException(String message) {
            super(message, null, false, false);
        }
    }

    /** Starts loading CEL on a daemon thread, so that the first real use does not pay for it. Idempotent. */
    public static void warmUpInBackground() {
        if (WARMING.compareAndSet(false, true)) {
            Thread t = new Thread(() -> {
                try {
                    evaluate("assertion.sub == 'warm-up'", Map.of("assertion", Map.of("sub", "x")));
                } catch (CelException | RuntimeException ignored) {
                    // Only a warm-up: a real use reports any problem.
                }
            }, "keyless-testkit-cel-warm-up");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Checks that an expression compiles; throws with CEL's error text when it does not. */
    public static void check(String expression) throws CelException {
        CelPrograms.check(expression);
    }

    /** Evaluates an expression with the given variables (assertion, google, attribute). */
    public static Object evaluate(String expression, Map<String, ?> variables) throws CelException {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("assertion", Map.of());
        vars.put("google", Map.of());
        vars.put("attribute", Map.of());
        variables.forEach((k, v) -> vars.put(k, toCel(v)));
        return CelPrograms.eval(expression, vars);
    }

    /** Converts JSON-ish Java values into what CEL accepts: long for integers, double for decimals, no nulls. */
    static Object toCel(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float) {
            return ((Float) v).doubleValue();
        }
        if (v instanceof java.math.BigInteger) {
            return ((java.math.BigInteger) v).longValue();
        }
        if (v instanceof java.math.BigDecimal) {
            return ((java.math.BigDecimal) v).doubleValue();
        }
        if (v instanceof java.util.Date) {
            return ((java.util.Date) v).getTime() / 1000;
        }
        if (v instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<?, ?>) v).forEach((k, val) -> {
                if (val != null) {
                    out.put(String.valueOf(k), toCel(val));
                }
            });
            return out;
        }
        if (v instanceof Collection) {
            List<Object> out = new ArrayList<>();
            for (Object o : (Collection<?>) v) {
                if (o != null) {
                    out.add(toCel(o));
                }
            }
            return out;
        }
        return v;
    }

    /**
     * Google's {@code extract}: the part of {@code value} that the template's single {@code {name}} placeholder
     * stands for, between the text before and after it; empty when the text before it does not occur.
     */
    static String extract(String value, String template) {
        int open = template.indexOf('{');
        int close = template.indexOf('}', open + 1);
        if (open < 0 || close < 0) {
            return "";
        }
        String prefix = template.substring(0, open);
        String suffix = template.substring(close + 1);
        int start = value.indexOf(prefix);
        if (start < 0) {
            return "";
        }
        start += prefix.length();
        if (suffix.isEmpty()) {
            return value.substring(start);
        }
        int end = value.indexOf(suffix, start);
        return end < 0 ? "" : value.substring(start, end);
    }
}
