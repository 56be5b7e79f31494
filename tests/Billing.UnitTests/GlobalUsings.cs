// The platform's shared types (budget state, events), as the service uses them.
global using Platform.Contracts;
