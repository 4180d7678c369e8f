package dev.keyless.testkit;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link LocalCloudTest}; usable alone with
 * {@code @ExtendWith(LocalCloudExtension.class)} (then with the defaults of {@link LocalCloudTest}).
 *
 * <p>The cloud is started lazily, when a parameter first asks for one of its parts, and kept in the JUnit
 * store of the context that asked: a test method's cloud stops after that method; a {@code @BeforeAll}
 * method's cloud is shared by the class's tests and stops after the class.
 */
public final class LocalCloudExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalCloudExtension.class);
    private static final String KEY = "local-cloud";
    private static final Set<Class<?>> BUILT_IN = Set.of(LocalCloud.class, LocalIssuer.class,
            GitHubTokenEndpoint.class, LocalSts.class, MutableClock.class, Clock.class);

    /** Used by JUnit. */
    public LocalCloudExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        if (BUILT_IN.contains(type)) {
            return true;
        }
        // Other types may come from a customizer's services: only then is the cloud worth starting to ask.
        return config(extensionContext).customizers().length > 0 && cloud(extensionContext).service(type).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        LocalCloud cloud = cloud(extensionContext);
        return cloud.service(type).orElseThrow(() -> new ParameterResolutionException(
                "The local cloud has no " + type.getSimpleName() + (type == MutableClock.class
                        ? ": it runs on the system clock (@LocalCloudTest(mutableClock = false))" : "")));
    }

    private static LocalCloud cloud(ExtensionContext context) {
        // The store is searched up the context tree, so a class-level cloud is shared by its methods; JUnit
        // closes AutoCloseable store values when their context ends.
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, k -> start(config(context)), LocalCloud.class);
    }

    private static LocalCloud start(LocalCloudTest config) {
        LocalCloud.Builder b = LocalCloud.builder()
                .defaultSetup(config.defaultSetup())
                .accountId(config.accountId())
                .algorithm(config.algorithm());
        Clock clock = config.mutableClock() ? MutableClock.create() : Clock.systemUTC();
        b.clock(clock);
        for (Class<? extends LocalCloudCustomizer> c : config.customizers()) {
            try {
                Constructor<? extends LocalCloudCustomizer> ctor = c.getDeclaredConstructor();
                ctor.setAccessible(true);
                ctor.newInstance().customize(b);
            } catch (ReflectiveOperationException e) {
                throw new ParameterResolutionException("Could not create the customizer " + c.getName()
                        + ": it needs a no-argument constructor", e);
            }
        }
        return b.start();
    }

    private static LocalCloudTest config(ExtensionContext context) {
        Optional<LocalCloudTest> found = context.getElement().flatMap(LocalCloudExtension::find);
        if (found.isEmpty()) {
            for (Optional<Class<?>> c = context.getTestClass(); c.isPresent();
                    c = Optional.ofNullable(c.get().getEnclosingClass())) {
                found = find(c.get());
                if (found.isPresent()) {
                    break;
                }
            }
        }
        return found.orElse(Defaults.class.getAnnotation(LocalCloudTest.class));
    }

    private static Optional<LocalCloudTest> find(AnnotatedElement element) {
        LocalCloudTest direct = element.getAnnotation(LocalCloudTest.class);
        if (direct != null) {
            return Optional.of(direct);
        }
        for (java.lang.annotation.Annotation a : element.getAnnotations()) {
            LocalCloudTest meta = a.annotationType().getAnnotation(LocalCloudTest.class);
            if (meta != null) {
                return Optional.of(meta);
            }
        }
        return Optional.empty();
    }

    /** Carries the annotation's defaults for {@code @ExtendWith(LocalCloudExtension.class)} without it. */
    @LocalCloudTest
    private static final class Defaults {
    }
}
