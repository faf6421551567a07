package com.ecommerce.eventhub.dev;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.envelope.EventTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.SimpleCommandLinePropertySource;

/**
 * Starts the embedded services once logging is set up, points the hub at them (above
 * {@code application.yaml} and environment variables, below command-line arguments),
 * hands them to the context, which stops them last, and prints the dev API key when the
 * hub is ready.
 */
class DevServicesStarter implements ApplicationListener<SpringApplicationEvent> {

	private static final Logger log = LoggerFactory.getLogger(DevServicesStarter.class);

	private DevServices services;

	private String apiKey;

	@Override
	public void onApplicationEvent(SpringApplicationEvent event) {
		if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
			start(prepared.getEnvironment());
		}
		else if (event instanceof ApplicationPreparedEvent prepared) {
			DefaultListableBeanFactory beans = (DefaultListableBeanFactory) prepared.getApplicationContext()
				.getBeanFactory();
			beans.registerSingleton("devServices", this.services);
			// Registered before every other bean, so destroyed after all of them: the hub
			// stops before its database and broker do.
			beans.registerDisposableBean("devServices", this.services::close);
		}
		else if (event instanceof ApplicationReadyEvent) {
			log.info("Dev mode: {}", this.services.describe());
			log.info("Dev API key: {}", this.apiKey);
		}
		else if (event instanceof ApplicationFailedEvent && this.services != null) {
			this.services.close();
		}
	}

	private void start(ConfigurableEnvironment environment) {
		this.services = DevServices.start(DevServices.Ports.from(environment));
		this.apiKey = newKey();
		Map<String, Object> settings = new LinkedHashMap<>(this.services.hubProperties());
		settings.put("hub.security.api-keys[0].name", "dev");
		settings.put("hub.security.api-keys[0].key", this.apiKey);
		settings.put("hub.security.api-keys[0].admin", true);
		settings.put("hub.security.api-keys[0].event-types", allTypes());
		MutablePropertySources sources = environment.getPropertySources();
		MapPropertySource dev = new MapPropertySource("devServices", settings);
		if (sources.contains(SimpleCommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME)) {
			sources.addAfter(SimpleCommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME, dev);
		}
		else {
			sources.addFirst(dev);
		}
	}

	/**
	 * Every type, the hub-internal {@code email.*} ones by name (a wildcard does not
	 * cover them).
	 */
	private static String allTypes() {
		List<String> types = new ArrayList<>(List.of("*"));
		types.addAll(EventTypes.ALL);
		return String.join(",", types);
	}

	private static String newKey() {
		byte[] random = new byte[24];
		new SecureRandom().nextBytes(random);
		return "dev-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
	}

}
