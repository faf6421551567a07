package com.ecommerce.eventhub.config;

import java.time.Clock;

import com.ecommerce.eventhub.envelope.EventSchemas;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Shared infrastructure beans that belong to no single capability. */
@Configuration(proxyBeanMethods = false)
public class HubConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	/** The JSON Schemas, compiled once at start-up; a broken schema fails the start. */
	@Bean
	EventSchemas eventSchemas() {
		return EventSchemas.load();
	}

}
