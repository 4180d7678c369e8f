package dev.keyless.testkit.google.internal;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Google's attribute mappings and attribute conditions, run by the reference CEL implementation ({@code dev.cel}).
 *
 * <p>Expressions see three variables as Google declares them: {@code assertion} (the token's claims),
 * {@code google} ({@code subject}, {@code groups}) and {@code attribute} (custom attributes), all maps. Google's
 * {@code extract} string function ({@code assertion.sub.extract('repo:{repo}:')}) is provided. Programs are
 * compiled once per expression and cached. JSON numbers are handed to CEL as {@code int} (long) or {@code double}.
 */
public final class CelEngine {
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .addVar("assertion", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("google", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("attribute", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration("extract",
                    CelOverloadDecl.newMemberOverload("string_extract_string", SimpleType.STRING,
                            SimpleType.STRING, SimpleType.STRING)))
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .addFunctionBindings(CelFunctionBinding.from("string_extract_string", String.class, String.class,
                    CelEngine::extract))
            .build();
    private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicBoolean WARMING = new java.util.concurrent.atomic.AtomicBoolean();

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
        program(expression);
    }

    /** Evaluates an expression with the given variables (assertion, google, attribute). */
    public static Object evaluate(String expression, Map<String, ?> variables) throws CelException {
        CelRuntime.Program program = program(expression);
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("assertion", Map.of());
        vars.put("google", Map.of());
        vars.put("attribute", Map.of());
        variables.forEach((k, v) -> vars.put(k, toCel(v)));
        try {
            return program.eval(vars);
        } catch (CelEvaluationException | RuntimeException e) {
            throw new CelException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static CelRuntime.Program program(String expression) throws CelException {
        CelRuntime.Program cached = PROGRAMS.get(expression);
        if (cached != null) {
            return cached;
        }
        CelValidationResult result = COMPILER.compile(expression);
        if (result.hasError()) {
            throw new CelException(result.getErrorString());
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            CelRuntime.Program program = RUNTIME.createProgram(ast);
            PROGRAMS.putIfAbsent(expression, program);
            return program;
        } catch (CelValidationException | CelEvaluationException e) {
            throw new CelException(e.getMessage());
        }
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
