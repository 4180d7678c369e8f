package dev.keyless.gcp.internal;

import java.util.Map;
import java.util.Optional;

/**
 * Optional CEL: when {@code dev.cel:cel} is on the class path, attribute conditions can be evaluated locally.
 *
 * <p>CEL's jars split packages and so are never modules; they sit on the class path (the unnamed module). On the
 * class path this module is unnamed too and reads it; on the module path, this class makes the module read the
 * unnamed module before the class that uses CEL is loaded.
 */
public final class CelSupport {
    private static final boolean AVAILABLE = init();

    private CelSupport() {
    }

    private static boolean init() {
        try {
            Class<?> factory = Class.forName("dev.cel.compiler.CelCompilerFactory", false, CelSupport.class.getClassLoader());
            Module self = CelSupport.class.getModule();
            if (self.isNamed() && !self.canRead(factory.getModule())) {
                self.addReads(factory.getModule());
            }
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether CEL is available. */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * Evaluates an expression over {@code assertion}, {@code google} and {@code attribute}; empty when CEL is absent.
     *
     * @return the value, or a {@link CelError} describing why it could not be computed
     */
    public static Optional<Object> evaluate(String expression, Map<String, ?> variables) {
        if (!AVAILABLE) {
            return Optional.empty();
        }
        return Optional.of(CelEvaluator.evaluate(expression, variables));
    }

    /** Why an expression could not be compiled or evaluated. */
    public record CelError(String message) {
    }
}
