package dev.keyless.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The boundaries of ARCHITECTURE.md as ArchUnit rules, shared by every module's test suite through
 * keyless-core's test jar: internal types stay out of public signatures, and only the adapters of the real
 * environment and clock touch them.
 */
public final class ArchitectureRules {
    private ArchitectureRules() {
    }

    /**
     * The production classes of a module: everything in the class folder (or jar) that holds {@code anchor},
     * whatever the build's output folder is called.
     */
    public static JavaClasses production(Class<?> anchor) {
        try {
            java.net.URL location = anchor.getProtectionDomain().getCodeSource().getLocation();
            return new ClassFileImporter().importPath(java.nio.file.Path.of(location.toURI()));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Public methods and constructors of public API classes neither take nor return an {@code internal} type. */
    public static void internalTypesStayOutOfPublicSignatures(JavaClasses classes) {
        codeUnits().that().arePublic()
                .and().areDeclaredInClassesThat().arePublic()
                .and().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
                .should(notMentionInternalTypes())
                .allowEmptyShould(true)
                .check(classes);
    }

    /** Only the named adapter classes read the process environment. */
    public static void onlyAdaptersReadTheEnvironment(JavaClasses classes, String... adapters) {
        noClasses().that().doNotHaveFullyQualifiedName(adapters.length > 0 ? adapters[0] : "-")
                .and(com.tngtech.archunit.base.DescribedPredicate.describe("not an adapter",
                        (JavaClass c) -> !List.of(adapters).contains(c.getName())))
                .should().callMethod(System.class, "getenv", String.class)
                .orShould().callMethod(System.class, "getenv")
                .allowEmptyShould(true)
                .check(classes);
    }

    /** Production code takes time from an injected {@link java.time.Clock}, never from the wall clock directly. */
    public static void timeComesFromAnInjectedClock(JavaClasses classes) {
        noClasses().should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(java.time.LocalDateTime.class, "now")
                .orShould().callMethod(java.time.ZonedDateTime.class, "now")
                .orShould().callMethod(java.time.OffsetDateTime.class, "now")
                .allowEmptyShould(true)
                .check(classes);
    }

    private static ArchCondition<JavaCodeUnit> notMentionInternalTypes() {
        return new ArchCondition<>("not take or return types from ..internal.. packages") {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                List<JavaClass> types = new ArrayList<>(unit.getRawParameterTypes());
                types.add(unit.getRawReturnType());
                for (JavaClass type : types) {
                    if (type.getPackageName().contains(".internal")) {
                        events.add(SimpleConditionEvent.violated(unit,
                                unit.getFullName() + " exposes internal type " + type.getName()));
                    }
                }
            }
        };
    }
}
