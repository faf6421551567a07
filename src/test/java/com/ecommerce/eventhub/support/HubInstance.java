package com.ecommerce.eventhub.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.ecommerce.eventhub.EventHubApplication;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Starts a whole hub in this JVM, for tests and benchmarks that need more than one or
 * full control.
 */
public final class HubInstance {

	private HubInstance() {
	}

	/**
	 * Starts a hub on the given topology.
	 * @param name the instance's name (Camel context and application name)
	 * @param topology the test's schema, exchange and queues
	 * @param overrides further properties, e.g. {@code hub.relay.batch-size}
	 * @return the running application context; close it to stop the hub
	 */
	public static ConfigurableApplicationContext start(String name, TestTopology topology,
			Map<String, Object> overrides) {
		return start(name, topology, overrides, new Class<?>[0]);
	}

	/**
	 * Starts a hub on the given topology with configuration of the test's own.
	 * @param name the instance's name (Camel context and application name)
	 * @param topology the test's schema, exchange and queues
	 * @param overrides further properties, e.g. {@code hub.relay.batch-size}
	 * @param configurations further configuration classes, e.g. a test's consumers
	 * @return the running application context; close it to stop the hub
	 */
	public static ConfigurableApplicationContext start(String name, TestTopology topology,
			Map<String, Object> overrides, Class<?>... configurations) {
		Map<String, Object> properties = new LinkedHashMap<>();
		topology.register(new DynamicPropertyRegistry() {
			@Override
			public void add(String key, Supplier<Object> supplier) {
				properties.put(key, supplier.get());
			}
		});
		properties.put("camel.main.name", name);
		properties.put("spring.application.name", name);
		properties.put("spring.jmx.enabled", "false");
		properties.putAll(overrides);
		// As command-line arguments: they override application.yaml, default properties
		// would not.
		String[] args = properties.entrySet()
			.stream()
			.map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
		return new SpringApplicationBuilder(EventHubApplication.class).sources(configurations)
			.web(WebApplicationType.NONE)
			.run(args);
	}

}
