package com.ecommerce.eventhub.ingestion;

import com.ecommerce.eventhub.config.IngestionProperties;
import com.ecommerce.eventhub.web.RequestBodyAllowance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one ingestion endpoint that takes a body: {@code POST /api/v1/events}, up to
 * {@code hub.ingestion.max-body-size}.
 */
@Configuration(proxyBeanMethods = false)
class IngestionWebConfiguration {

	@Bean
	RequestBodyAllowance ingestionBody(IngestionProperties ingestion) {
		return new RequestBodyAllowance("POST", IngestionRoutes.EVENTS_PATH, false, ingestion.maxBodySize().toBytes());
	}

}
