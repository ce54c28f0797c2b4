import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ROLES, type Role } from '@/common/auth/permissions';

export const USER_ROLES = ROLES;
export type UserRole = Role;

/** A local user (`user.info`): the Keycloak user ID is the primary key. */
@Schema({ collection: 'user.info', timestamps: true, versionKey: false })
export class User {
  /** Keycloak user ID. Unique: serves lookups by token subject. */
  @Prop({ type: String, required: true, unique: true })
  userId: string;

  /** Unique: serves lookups by e-mail (access requests, invitations). */
  @Prop({ type: String, required: true, unique: true, lowercase: true, trim: true })
  email: string;

  @Prop({ type: String, required: true, trim: true })
  username: string;

  @Prop({ type: String, required: true, trim: true })
  firstName: string;

  @Prop({ type: String, required: true, trim: true })
  lastName: string;

  @Prop({ type: String, default: '', trim: true })
  affiliation: string;

  @Prop({ type: String, required: true, enum: USER_ROLES, default: 'user' })
  role: UserRole;

  /** DB-level enable: an inactive user may not query. */
  @Prop({ type: Boolean, required: true, default: false })
  active: boolean;

  /** Mirrors whether the user's Vault transit key exists. */
  @Prop({ type: Boolean, required: true, default: false })
  allowLogin: boolean;

  @Prop({ type: Number, required: true, min: 0, max: 100, default: 100 })
  budget: number;
}

export const UserSchema = SchemaFactory.createForClass(User);
