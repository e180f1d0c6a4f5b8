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
 * The product's layers, from the bottom: common (durations, failure kinds) ← uws ← soar ← store ← transfer ← request
 * ← mirror ← observe ← api ← the wiring (the configuration classes and Camel Main) ← the command line ← the launcher
 * ({@code main}). The simulator stands apart: it uses nothing of the product; the wiring and the command line start it.
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
                .layer("launcher").definedBy("org.soardeferred")
                .layer("cli").definedBy("org.soardeferred.cli..")
                .layer("wiring").definedBy("org.soardeferred.config..")
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
                .whereLayer("wiring").mayOnlyBeAccessedByLayers(above("wiring"))
                .whereLayer("api").mayOnlyBeAccessedByLayers(above("api"))
                .whereLayer("observe").mayOnlyBeAccessedByLayers(above("observe"))
                .whereLayer("mirror").mayOnlyBeAccessedByLayers(above("mirror"))
                .whereLayer("request").mayOnlyBeAccessedByLayers(above("request"))
                .whereLayer("transfer").mayOnlyBeAccessedByLayers(above("transfer"))
                .whereLayer("store").mayOnlyBeAccessedByLayers(above("store"))
                .whereLayer("soar").mayOnlyBeAccessedByLayers(above("soar"))
                .whereLayer("uws").mayOnlyBeAccessedByLayers(above("uws"))
                .whereLayer("common").mayOnlyBeAccessedByLayers(above("common"))
                .whereLayer("simulator").mayOnlyBeAccessedByLayers("cli", "wiring")
                .check(product);
    }

    /** The product's layers from the top; each may use only those after it. */
    private static final java.util.List<String> TOP_DOWN = java.util.List.of("launcher", "cli", "wiring", "api",
            "observe", "mirror", "request", "transfer", "store", "soar", "uws", "common");

    private static String[] above(String layer) {
        return TOP_DOWN.subList(0, TOP_DOWN.indexOf(layer)).toArray(String[]::new);
    }

    @Test
    void theSimulatorUsesNothingOfTheProduct() {
        noClasses().that().resideInAPackage("org.soardeferred.simulator..")
                .should().dependOnClassesThat(resideInAPackage("org.soardeferred..")
                        .and(resideOutsideOfPackage("org.soardeferred.simulator..")))
                .check(product);
    }
}
