import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const ACCESS_REQUEST_STATUSES = ['pending', 'approved', 'denied'] as const;
export type AccessRequestStatus = (typeof ACCESS_REQUEST_STATUSES)[number];

/** An anonymous request for an account (`user.requests`), decided by a user manager. */
@Schema({ collection: 'user.requests', timestamps: true, versionKey: false })
export class AccessRequest {
  /** Unique: serves lookups by the ID in the path. */
  @Prop({ type: String, required: true, unique: true })
  requestId: string;

  @Prop({ type: String, required: true, trim: true })
  firstName: string;

  @Prop({ type: String, required: true, trim: true })
  lastName: string;

  /** Indexed with status: finds a pending request from the same address. */
  @Prop({ type: String, required: true, lowercase: true, trim: true })
  email: string;

  @Prop({ type: String, required: true, trim: true })
  affiliation: string;

  @Prop({ type: String, required: true })
  justification: string;

  @Prop({ type: String, required: true, enum: ACCESS_REQUEST_STATUSES, default: 'pending' })
  status: AccessRequestStatus;

  /**
   * Set while an approval runs (it creates the user in Keycloak first), so a second approve or deny in the
   * meantime is refused; an old claim (a crashed approval) no longer counts.
   */
  @Prop({ type: Date, default: null })
  claimedAt: Date | null;

  /** userId of the admin who decided. */
  @Prop({ type: String, default: null })
  decidedBy: string | null;

  @Prop({ type: Date, default: null })
  decidedAt: Date | null;

  /** The user created on approval. */
  @Prop({ type: String, default: null })
  userId: string | null;

  createdAt?: Date;
}

export const AccessRequestSchema = SchemaFactory.createForClass(AccessRequest);
AccessRequestSchema.index({ email: 1, status: 1 });
