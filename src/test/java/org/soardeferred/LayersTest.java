package org.soardeferred;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The product's layers, from the bottom: common (durations, failure kinds) ← uws, soar ← store ← request, transfer
 * ← mirror ← observe, api, cli ← the launcher and its configuration classes. The simulator stands apart: it uses
 * nothing of the product, and only the launcher and the command line start it.
 */
class LayersTest {

    private static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.soardeferred");
    }

    @Test
    void noPackageCycle() {
        slices().matching("org.soardeferred.(*)..").should().beFreeOfCycles().check(product);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("launcher").definedBy("org.soardeferred", "org.soardeferred.config..")
                .layer("cli").definedBy("org.soardeferred.cli..")
                .layer("api").definedBy("org.soardeferred.api..")
                .layer("observe").definedBy("org.soardeferred.observe..")
                .layer("mirror").definedBy("org.soardeferred.mirror..")
                .layer("request").definedBy("org.soardeferred.request..")
                .layer("transfer").definedBy("org.soardeferred.transfer..")
                .layer("store").definedBy("org.soardeferred.store..")
                .layer("soar").definedBy("org.soardeferred.soar..")
                .layer("uws").definedBy("org.soardeferred.uws..")
                .layer("common").definedBy("org.soardeferred.common..")
                .layer("simulator").definedBy("org.soardeferred.simulator..")
                .whereLayer("launcher").mayNotBeAccessedByAnyLayer()
                .whereLayer("cli").mayOnlyBeAccessedByLayers("launcher")
                .whereLayer("api").mayOnlyBeAccessedByLayers("launcher", "cli")
                .whereLayer("observe").mayOnlyBeAccessedByLayers("launcher", "cli", "api")
                .whereLayer("mirror").mayOnlyBeAccessedByLayers("launcher", "cli", "api", "observe")
                .whereLayer("request").mayOnlyBeAccessedByLayers("launcher", "cli", "api", "observe", "mirror")
                .whereLayer("transfer")
                .mayOnlyBeAccessedByLayers("launcher", "cli", "api", "observe", "mirror", "request")
                .whereLayer("store")
                .mayOnlyBeAccessedByLayers("launcher", "cli", "api", "observe", "mirror", "request", "transfer")
                .whereLayer("soar").mayOnlyBeAccessedByLayers("launcher", "cli", "api", "observe", "mirror", "request",
                        "transfer", "store")
                .whereLayer("uws").mayOnlyBeAccessedByLayers("launcher", "cli", "api", "observe", "mirror", "request",
                        "transfer", "store", "soar")
                .whereLayer("common").mayOnlyBeAccessedByLayers("launcher", "cli", "api", "observe", "mirror",
                        "request", "transfer", "store", "soar", "uws")
                .whereLayer("simulator").mayOnlyBeAccessedByLayers("launcher", "cli")
                .check(product);
    }

    @Test
    void theSimulatorUsesNothingOfTheProduct() {
        noClasses().that().resideInAPackage("org.soardeferred.simulator..")
                .should().dependOnClassesThat(resideInAPackage("org.soardeferred..")
                        .and(resideOutsideOfPackage("org.soardeferred.simulator..")))
                .check(product);
    }
}
