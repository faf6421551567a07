package com.ecommerce.eventhub.consumers;

import org.apache.camel.component.http.HttpComponent;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code http} and {@code https} components the YAML consumer routes call their
 * targets with: camel-http as configured under {@code camel.component.http} (the
 * starter's customizer applies to these beans too), with the answer head bounded (see
 * {@link BoundedHttpComponent}). Camel looks a component up by its name in the registry
 * before creating its own.
 */
@Configuration(proxyBeanMethods = false)
class HttpTargetConfiguration {

	@Bean
	HttpComponent http() {
		return new BoundedHttpComponent();
	}

	@Bean
	HttpComponent https() {
		return new BoundedHttpComponent();
	}

}
