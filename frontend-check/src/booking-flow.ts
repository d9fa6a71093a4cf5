// A patient's booking flow as a front end writes it: types generated from the live schema by
// openapi-typescript (build/api.d.ts), calls made with openapi-fetch. It must compile with
// `tsc --strict`, and it runs against a server: API_BASE_URL (default http://127.0.0.1:8000).
//
// register → sign in → refresh → find a doctor with a free slot → book it → book it again
// (refused) → my appointments → cancel. Exits non-zero, naming the step, if any answer is not
// the expected one.

import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "../build/api.d.ts";

type Slot = components["schemas"]["SlotOutput"];
type TokenPair = components["schemas"]["TokenPair"];

const baseUrl = process.env.API_BASE_URL ?? "http://127.0.0.1:8000";
const password = "Quiet-Harbour-2026";
// A fresh number per run: 018 + 8 digits is a valid Bangladeshi mobile number.
const mobileNumber = process.env.PATIENT_MOBILE ?? `018${String(Date.now()).slice(-8)}`;

const client = createClient<paths>({
  baseUrl,
  // The API takes a list as one comma-separated value (`?ordering=a,b`), as the schema says
  // (`style: form, explode: false`); openapi-fetch repeats the parameter unless told so.
  querySerializer: { array: { style: "form", explode: false } },
});

let tokens: TokenPair | undefined;
const bearer: Middleware = {
  onRequest({ request }) {
    if (tokens) request.headers.set("Authorization", `Bearer ${tokens.access}`);
    return request;
  },
};
client.use(bearer);

function fail(step: string, response: Response, body: unknown): never {
  throw new Error(`${step}: HTTP ${response.status} ${JSON.stringify(body)}`);
}

function log(step: string, detail: string): void {
  console.log(`ok ${step}: ${detail}`);
}

async function register(): Promise<void> {
  const { data, error, response } = await client.POST("/api/register/", {
    body: { mobile_number: mobileNumber, password, full_name: "Typed Patient" },
  });
  if (!data) fail("register", response, error);
  log("register", `user ${data.id}, role ${data.role}`);
}

async function signIn(): Promise<void> {
  const { data, error, response } = await client.POST("/api/token/", {
    body: { mobile_number: mobileNumber, password },
  });
  if (!data) fail("sign in", response, error);
  tokens = data;
  log("sign in", "token pair received");
}

async function refresh(): Promise<void> {
  if (!tokens) throw new Error("refresh: not signed in");
  const { data, error, response } = await client.POST("/api/token/refresh/", {
    body: { refresh: tokens.refresh },
  });
  if (!data) fail("refresh", response, error);
  tokens = data;
  log("refresh", "new pair (the old refresh token is spent)");
}

async function findFreeSlot(): Promise<{ doctor: number; slot: Slot }> {
  const doctors = await client.GET("/api/doctors/", {
    params: { query: { available: true, ordering: ["-experience_years", "full_name"] } },
  });
  if (!doctors.data) fail("doctors", doctors.response, doctors.error);
  for (const doctor of doctors.data.results) {
    const slots = await client.GET("/api/doctors/{id}/slots/", {
      params: { path: { id: doctor.id } },
    });
    if (!slots.data) fail("slots", slots.response, slots.error);
    const free = slots.data.results.find((slot) => slot.available);
    if (free) {
      log("doctors", `${doctors.data.count} available; ${doctor.full_name} (${doctor.id})`);
      return { doctor: doctor.id, slot: free };
    }
  }
  throw new Error("doctors: no free slot in the first page of available doctors");
}

async function book(doctor: number, slot: Slot): Promise<number> {
  const { data, error, response } = await client.POST("/api/appointments/book/", {
    body: { doctor, schedule: slot.schedule, appointment_time: slot.time },
  });
  if (!data) fail("book", response, error);
  log("book", `appointment ${data.id} on ${data.appointment_date} at ${data.appointment_time}`);
  return data.id;
}

async function bookAgainIsRefused(doctor: number, slot: Slot): Promise<void> {
  const { data, error, response } = await client.POST("/api/appointments/book/", {
    body: { doctor, schedule: slot.schedule, appointment_time: slot.time },
  });
  if (data || response.status !== 400 || !error) fail("refused booking", response, data);
  // Every error body carries a stable `code` (typed: no cast needed) and `errors[]`.
  if (error.code !== "slot_taken") fail("refused booking", response, error);
  log("refused booking", `400 ${error.code} on ${error.errors.map((e) => e.field).join(", ")}`);
}

async function myAppointments(id: number): Promise<void> {
  const { data, error, response } = await client.GET("/api/profile/appointments/", {
    params: { query: { status: "pending" } },
  });
  if (!data) fail("my appointments", response, error);
  if (!data.results.some((appointment) => appointment.id === id)) {
    fail("my appointments", response, data);
  }
  log("my appointments", `${data.count} pending, ${id} among them`);
}

async function cancel(id: number): Promise<void> {
  const { data, error, response } = await client.POST("/api/appointments/{id}/cancel/", {
    params: { path: { id } },
  });
  if (!data) fail("cancel", response, error);
  if (data.status !== "cancelled") fail("cancel", response, data);
  log("cancel", `appointment ${data.id} is ${data.status}`);
}

async function main(): Promise<void> {
  await register();
  await signIn();
  await refresh();
  const { doctor, slot } = await findFreeSlot();
  const id = await book(doctor, slot);
  await bookAgainIsRefused(doctor, slot);
  await myAppointments(id);
  await cancel(id);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
