package dev.keyless.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The boundaries of ARCHITECTURE.md, checked on core: it knows no cloud, and time and environment are injected. */
class CoreArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importCore() {
        production = ArchitectureRules.production(dev.keyless.core.IdentityToken.class);
    }

    @Test
    void coreKnowsNoCloudSdk() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "software.amazon..", "com.google.auth..", "com.google.cloud..", "com.azure..", "com.microsoft..")
                .check(production);
    }

    @Test
    void publicApiDoesNotExposeInternalTypes() {
        ArchitectureRules.internalTypesStayOutOfPublicSignatures(production);
    }

    @Test
    void onlyTheEnvironmentAdapterReadsTheProcessEnvironment() {
        ArchitectureRules.onlyAdaptersReadTheEnvironment(production, "dev.keyless.core.SystemEnvironment");
    }

    @Test
    void timeComesFromAnInjectedClock() {
        ArchitectureRules.timeComesFromAnInjectedClock(production);
    }
}
