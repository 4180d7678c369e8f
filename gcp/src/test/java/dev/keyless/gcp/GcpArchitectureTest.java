package dev.keyless.gcp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.keyless.core.arch.ArchitectureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** keyless-gcp's boundaries: no other cloud (AWS comes through AwsKeysSupplier), internal types stay internal. */
class GcpArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importGcp() {
        production = ArchitectureRules.production(WorkloadIdentityCredentials.class);
    }

    @Test
    void knowsNoOtherCloud() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("software.amazon..", "com.azure..",
                "dev.keyless.aws..", "dev.keyless.azure..", "dev.keyless.testkit..", "dev.keyless.cli..").check(production);
    }

    @Test
    void publicApiDoesNotExposeInternalTypes() {
        ArchitectureRules.internalTypesStayOutOfPublicSignatures(production);
    }

    @Test
    void readsNoEnvironmentDirectly() {
        ArchitectureRules.onlyAdaptersReadTheEnvironment(production);
    }

    @Test
    void timeComesFromAnInjectedClock() {
        ArchitectureRules.timeComesFromAnInjectedClock(production);
    }
}
