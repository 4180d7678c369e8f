package dev.keyless.azure;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.keyless.core.arch.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The boundaries of ARCHITECTURE.md for keyless-azure. */
class ArchitectureTest {
    static final JavaClasses CLASSES = ArchitectureRules.production(FederatedTokenCredential.class);

    @Test
    void internalTypesStayOutOfPublicSignatures() {
        ArchitectureRules.internalTypesStayOutOfPublicSignatures(CLASSES);
    }

    @Test
    void nothingReadsTheProcessEnvironmentDirectly() {
        ArchitectureRules.onlyAdaptersReadTheEnvironment(CLASSES);
    }

    @Test
    void timeComesFromAnInjectedClock() {
        ArchitectureRules.timeComesFromAnInjectedClock(CLASSES);
    }
}
