package com.ecommerce.eventhub.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * The two halves of {@link HubIntegrationTest}'s topology: for Spring, the properties
 * that point the hub at the test class's schema, exchange and queues; for JUnit, their
 * removal after the class.
 */
public final class HubTopologies implements ContextCustomizerFactory, AfterAllCallback {

	@Override
	public ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return MergedAnnotations.from(testClass, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY)
			.isPresent(HubIntegrationTest.class) ? new TopologyProperties(testClass) : null;
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		TestTopology.release(context.getRequiredTestClass());
	}

	/**
	 * Adds the test class's topology properties ahead of application.yaml; equal per test
	 * class.
	 */
	private record TopologyProperties(Class<?> testClass) implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			Map<String, Object> properties = new LinkedHashMap<>();
			TestTopology.of(this.testClass).register(new DynamicPropertyRegistry() {
				@Override
				public void add(String name, Supplier<Object> valueSupplier) {
					properties.put(name, valueSupplier.get());
				}
			});
			context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("hub-test-topology-" + this.testClass.getSimpleName(), properties));
		}

	}

}
