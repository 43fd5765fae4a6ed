package io.gpucloud.service.inventory;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** GPU cards (Admin). A new card comes with its passthrough profile. */
@Path("/api/v1/gpu-cards")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class GpuCardResource {
  private final CardService cards;

  public GpuCardResource(CardService cards) {
    this.cards = cards;
  }

  @POST
  @ApiResponse(responseCode = "201", description = "the card; Location names it",
      content = @Content(schema = @Schema(implementation = CardView.class)))
  public Response create(@Auth Caller caller, CardRequest body) {
    CardView card = CardView.of(cards.create(body));
    return Response.created(URI.create("/api/v1/gpu-cards/" + card.id())).entity(card).build();
  }

  @GET
  public List<CardView> list(
      @Auth Caller caller,
      @QueryParam("vendorId") String vendorId,
      @QueryParam("deviceId") String deviceId,
      @QueryParam("keyword") String keyword) {
    return cards.list(vendorId, deviceId, keyword).stream().map(CardView::of).toList();
  }

  @GET
  @Path("/{id}")
  public CardView get(@Auth Caller caller, @PathParam("id") String id) {
    return CardView.of(cards.get(id));
  }

  @PUT
  @Path("/{id}")
  public CardView update(@Auth Caller caller, @PathParam("id") String id, CardRequest body) {
    return CardView.of(cards.update(id, body));
  }

  @DELETE
  @Path("/{id}")
  public void delete(@Auth Caller caller, @PathParam("id") String id) {
    cards.delete(id);
  }
}
