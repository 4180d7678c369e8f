package dev.keyless.gcp.internal;

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

/** Uses CEL; loaded only through {@link CelSupport} once CEL is known to be present. */
final class CelEvaluator {
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
                    CelEvaluator::extract))
            .build();

    private CelEvaluator() {
    }

    static Object evaluate(String expression, Map<String, ?> variables) {
        CelValidationResult result = COMPILER.compile(expression);
        if (result.hasError()) {
            return new CelSupport.CelError(result.getErrorString());
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("assertion", Map.of());
        vars.put("google", Map.of());
        vars.put("attribute", Map.of());
        variables.forEach((k, v) -> vars.put(k, toCel(v)));
        try {
            return RUNTIME.createProgram(result.getAst()).eval(vars);
        } catch (CelValidationException | CelEvaluationException | RuntimeException e) {
            return new CelSupport.CelError(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static Object toCel(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float) {
            return ((Float) v).doubleValue();
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

    /** Google's {@code extract}: the text its {@code {name}} placeholder stands for, or empty. */
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
