package io.gpucloud.service.console;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpucloud.service.inventory.CardRequest;
import io.gpucloud.service.inventory.CardService;
import io.gpucloud.service.inventory.DeviceRequest;
import io.gpucloud.service.inventory.DeviceService;
import io.gpucloud.service.inventory.DeviceUpdate;
import io.gpucloud.service.inventory.HostService;
import io.gpucloud.service.inventory.ProfileRequest;
import io.gpucloud.service.inventory.ProfileService;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The operator's GPU inventory (Admin only): GPU cards, vGPU profiles, GPU devices. */
@Hidden
@Path("/console")
@ConsoleAuth
@Produces(MediaType.TEXT_HTML)
public class InventoryPages extends ConsolePages {
  private final CardService cards;
  private final ProfileService profiles;
  private final DeviceService devices;
  private final HostService hosts;

  public InventoryPages(CardService cards, ProfileService profiles, DeviceService devices, HostService hosts) {
    this.cards = cards;
    this.profiles = profiles;
    this.devices = devices;
    this.hosts = hosts;
  }

  // ---- GPU cards ----

  @GET
  @Path("/cards")
  public Response cards(@Context ContainerRequestContext ctx, @QueryParam("keyword") String keyword,
      @QueryParam("msg") String msg, @QueryParam("err") String err) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return page(ctx, "cards", "GPU cards", msg, err,
        () -> data("cards", cards.list(null, null, blankToNull(keyword)), "keyword", keyword));
  }

  @POST
  @Path("/cards")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createCard(@Context ContainerRequestContext ctx, @FormParam("vendorId") String vendorId,
      @FormParam("deviceId") String deviceId, @FormParam("vendorName") String vendorName,
      @FormParam("deviceName") String deviceName, @FormParam("name") String name) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/cards", () -> "Card " + cards.create(new CardRequest(vendorId, deviceId, vendorName,
        deviceName, blankToNull(name))).name() + " added");
  }

  @POST
  @Path("/cards/{id}/edit")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response editCard(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @FormParam("name") String name) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/cards", () -> "Card renamed to " + cards.update(id,
        new CardRequest(null, null, null, null, name)).name());
  }

  @POST
  @Path("/cards/{id}/delete")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response deleteCard(@Context ContainerRequestContext ctx, @PathParam("id") String id) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/cards", () -> {
      cards.delete(id);
      return "Card deleted";
    });
  }

  /** The offering form's profile select for a card (htmx swaps it in when the card changes). */
  @GET
  @Path("/cards/profile-options")
  public Response profileOptions(@Context ContainerRequestContext ctx, @QueryParam("cardId") String cardId) {
    String card = blankToNull(cardId);
    return page(ctx, "profile_options", "", null, null,
        () -> data("profiles", card == null ? java.util.List.of() : profiles.list(card, null)));
  }

  // ---- vGPU profiles ----

  @GET
  @Path("/profiles")
  public Response profiles(@Context ContainerRequestContext ctx, @QueryParam("cardId") String cardId,
      @QueryParam("name") String name, @QueryParam("msg") String msg, @QueryParam("err") String err) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return page(ctx, "profiles", "vGPU profiles", msg, err, () -> data(
        "profiles", profiles.list(blankToNull(cardId), blankToNull(name)),
        "cards", cards.list(null, null, null), "cardId", cardId, "name", name));
  }

  @POST
  @Path("/profiles")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createProfile(@Context ContainerRequestContext ctx, @FormParam("cardId") String cardId,
      @FormParam("name") String name, @FormParam("description") String description,
      @FormParam("videoRamMb") String videoRamMb, @FormParam("maxHeads") String maxHeads,
      @FormParam("maxResolutionX") String x, @FormParam("maxResolutionY") String y,
      @FormParam("maxVgpusPerGpu") String perGpu) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/profiles", () -> "Profile " + profiles.create(new ProfileRequest(blankToNull(cardId), name,
        blankToNull(description), longOrNull(videoRamMb), intOrNull(maxHeads), intOrNull(x), intOrNull(y),
        intOrNull(perGpu))).name() + " added");
  }

  @POST
  @Path("/profiles/{id}/edit")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response editProfile(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @FormParam("name") String name) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/profiles", () -> "Profile renamed to " + profiles.update(id,
        new ProfileRequest(null, name, null, null, null, null, null, null)).name());
  }

  @POST
  @Path("/profiles/{id}/delete")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response deleteProfile(@Context ContainerRequestContext ctx, @PathParam("id") String id) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/profiles", () -> {
      profiles.delete(id);
      return "Profile deleted";
    });
  }

  // ---- GPU devices ----

  @GET
  @Path("/devices")
  public Response devices(@Context ContainerRequestContext ctx, @QueryParam("hostId") String hostId,
      @QueryParam("cardId") String cardId, @QueryParam("state") String state, @QueryParam("type") String type,
      @QueryParam("managedState") String managedState, @QueryParam("msg") String msg, @QueryParam("err") String err) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return page(ctx, "devices", "GPU devices", msg, err, () -> data(
        "devices", devices.list(blankToNull(hostId), blankToNull(cardId), null, null, blankToNull(state),
            blankToNull(type), blankToNull(managedState)),
        "hosts", hosts.list(null, null, null), "cards", cards.list(null, null, null),
        "profiles", profiles.list(null, null),
        "hostId", hostId, "cardId", cardId, "state", state, "type", type, "managedState", managedState));
  }

  @POST
  @Path("/devices")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createDevice(@Context ContainerRequestContext ctx, @FormParam("hostId") String hostId,
      @FormParam("busAddress") String busAddress, @FormParam("type") String type, @FormParam("cardId") String cardId,
      @FormParam("profileId") String profileId, @FormParam("numaNode") String numaNode) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/devices", () -> "Device " + devices.create(new DeviceRequest(blankToNull(hostId), busAddress,
        blankToNull(type), blankToNull(cardId), blankToNull(profileId), null, intOrNull(numaNode), null, null, null))
        .busAddress() + " added");
  }

  @POST
  @Path("/devices/{id}/edit")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response editDevice(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @FormParam("profileId") String profileId, @FormParam("numaNode") String numaNode) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/devices", () -> {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      if (profileId != null) {
        body.put("profileId", blankToNull(profileId));
      }
      Integer numa = intOrNull(numaNode);
      if (numa != null) {
        body.put("numaNode", numa);
      }
      return "Device " + devices.update(id, DeviceUpdate.parse(body)).busAddress() + " updated";
    });
  }

  @POST
  @Path("/devices/{id}/{op: manage|unmanage|delete}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response device(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @PathParam("op") String op) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return act("/console/devices", () -> switch (op) {
      case "manage" -> "Device " + devices.setManaged(id, true).busAddress() + " managed";
      case "unmanage" -> "Device " + devices.setManaged(id, false).busAddress() + " unmanaged";
      default -> {
        devices.delete(id);
        yield "Device deleted";
      }
    });
  }
}
