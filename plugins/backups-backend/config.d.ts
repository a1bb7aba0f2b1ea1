export interface Config {
  /** Safekeep: backups of the catalog's stateful services, run by host agents. */
  backups?: {
    /**
     * Host agents the backend may call, by name. Entities point at one with the
     * `safekeep.io/agent` annotation.
     */
    agents?: {
      [agentName: string]: {
        /** Base URL of the agent's HTTP API, e.g. http://127.0.0.1:7400. */
        url: string;
        /**
         * The agent's bearer token. Use an environment variable: `token: ${SAFEKEEP_AGENT_TOKEN}`.
         * @visibility secret
         */
        token: string;
        /**
         * For an https:// agent whose certificate a private CA signed: the path of that CA's
         * PEM file, the only root trusted for this agent.
         */
        caFile?: string;
      };
    };
    /** How often (seconds) the backend checks which scheduled backups are due. Default 30. */
    dispatchIntervalSeconds?: number;
    /** IANA time zone for schedules that name none, e.g. Europe/Zurich. Default UTC. */
    defaultTimeZone?: string;
    /** Restore requests and drills. */
    restores?: {
      /** Hours a restore request may wait for approval (and, approved, to start). Default 24. */
      expireAfterHours?: number;
      /**
       * Seconds a new request may wait for the agent to verify the snapshot for its preview.
       * A preview that cannot finish in time refuses the request. Default 300.
       */
      previewTimeoutSeconds?: number;
      /**
       * Users or groups told that a request waits for approval, besides the entity's owners,
       * e.g. [group:default/restore-approvers]. Who may approve is the permission policy's call.
       */
      approvers?: string[];
    };
    /**
     * Scheduled verify, per storage tier as the agents name it (e.g. local, offsite): the
     * snapshots are read back and checked against their manifests. A snapshot that fails is
     * flagged, never counted by retention, and its owners are told once.
     */
    verify?: {
      [tier: string]: {
        /** When, in the annotation form: "daily 04:00 UTC", "weekly sunday 03:00 Europe/Zurich". */
        schedule: string;
        /** "all" (default), or "1/N": a rotating Nth of the snapshots each round (restic's --read-data-subset). */
        subset?: string;
      };
    };
  };
}
