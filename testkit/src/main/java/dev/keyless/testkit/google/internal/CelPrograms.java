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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The part that touches CEL's types: loaded only after {@link CelEngine} made this module read CEL's. */
final class CelPrograms {
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

    private CelPrograms() {
    }

    static Object eval(String expression, Map<String, Object> vars) throws CelEngine.CelException {
        CelRuntime.Program program = program(expression);
        try {
            return program.eval(vars);
        } catch (CelEvaluationException | RuntimeException e) {
            throw new CelEngine.CelException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    static void check(String expression) throws CelEngine.CelException {
        program(expression);
    }

    private static CelRuntime.Program program(String expression) throws CelEngine.CelException {
        CelRuntime.Program cached = PROGRAMS.get(expression);
        if (cached != null) {
            return cached;
        }
        CelValidationResult result = COMPILER.compile(expression);
        if (result.hasError()) {
            throw new CelEngine.CelException(result.getErrorString());
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            CelRuntime.Program program = RUNTIME.createProgram(ast);
            PROGRAMS.putIfAbsent(expression, program);
            return program;
        } catch (CelValidationException | CelEvaluationException e) {
            throw new CelEngine.CelException(e.getMessage());
        }
    }
}
