package com.ecommerce.eventhub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the Event Hub: outbox relay, topology and consumers on Camel and Spring Boot.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EventHubApplication {

	public static void main(String[] args) {
		SpringApplication.run(EventHubApplication.class, args);
	}

}
